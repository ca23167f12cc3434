# The change stream's delay while the S3 output takes periodic snapshots (README, "The archive over
# months"): a table of ROWS rows, a writer committing one row every 10 ms for 20 s, and the time from
# each commit until an object holding its change appears in s3rver's folder; and the application's
# side: its commit latency and the largest size its -wal file reached.
# Usage, from the repository after `make build node-deps`: python3 bench/s3_snapshot_delay.py ROWS 5s|off
import os, re, sqlite3, subprocess, sys, time, glob, shutil, statistics, threading
ROWS = int(sys.argv[1]); INTERVAL = sys.argv[2]  # e.g. 5s or 'off'
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = ROOT + '/build/cli'
import tempfile
d = tempfile.mkdtemp(prefix='s3-snapshot-delay-'); db = d + '/app.db'
c = sqlite3.connect(db)
c.executescript("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, note TEXT); CREATE TABLE probe (id INTEGER PRIMARY KEY, t REAL);")
c.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?) INSERT INTO items SELECT i, i, hex(randomblob(40)) FROM n", (ROWS,))
c.commit(); c.close()
subprocess.run([B + '/sqlite-cdc-setup', '--db', db, '--setup'], check=True, capture_output=True)
s3dir = d + '/s3'
srv = subprocess.Popen(['node', ROOT + '/tests/node/s3_server.js', s3dir, '0', 'bench'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
port = int(srv.stdout.readline().split()[1])
env = dict(os.environ, AWS_ACCESS_KEY_ID='S3RVER', AWS_SECRET_ACCESS_KEY='S3RVER')
args = [B + '/sqlite-cdc', '--db', db, '--cdc', '--output', f's3://bench/app?endpoint=http://127.0.0.1:{port}', '--s3-flush-interval', '50ms', '--poll-interval', '50ms']
if INTERVAL != 'off': args += ['--s3-snapshot-interval', INTERVAL]
err = open(d + '/err.txt', 'w')
cdc = subprocess.Popen(args, env=env, stderr=err)
time.sleep(1.0)
seen = {}
stop = False
wal_max = [0]
def watch():
    while not stop:
        try: wal_max[0] = max(wal_max[0], os.path.getsize(db + '-wal'))
        except OSError: pass
        for f in glob.glob(s3dir + '/bench/app/changes/*'):
            m = re.search(r'(\d{20})-(\d{20})', f)
            if m and f not in seen: seen[f] = (int(m.group(1)), int(m.group(2)), time.time())
        time.sleep(0.003)
t = threading.Thread(target=watch); t.start()
w = sqlite3.connect(db, isolation_level=None); w.execute('PRAGMA busy_timeout=5000')
commits = []
writes = []
end = time.time() + 20
while time.time() < end:
    began = time.perf_counter()
    w.execute('INSERT INTO probe (t) VALUES (?)', (time.time(),))
    writes.append((time.perf_counter() - began) * 1e6)
    commits.append(time.time())
    time.sleep(0.01)
time.sleep(2); stop = True; t.join()
cdc.terminate(); cdc.wait(); srv.stdin.close(); srv.wait()
first = {}
for f, (a, b, ts) in seen.items():
    for i in range(a, b + 1): first[i] = min(first.get(i, 1e20), ts)
lat = [(first[i + 1] - commits[i]) * 1000 for i in range(len(commits)) if i + 1 in first]
log = open(d + '/err.txt').read()
reads = [int(x) for x in re.findall(r'read in (\d+) ms', log)]
stores = re.findall(r'stored in (\d+) parts in (\d+) ms', log)
lat.sort(); writes.sort()
print(f'rows={ROWS} interval={INTERVAL} probes={len(commits)} archived={len(lat)} median={statistics.median(lat):.0f}ms p99={lat[int(len(lat)*0.99)]:.0f}ms max={lat[-1]:.0f}ms snapshot reads(ms)={reads} stores(parts,ms)={stores}')
print(f'  application: write p50={statistics.median(writes):.0f}us p99={writes[int(len(writes)*0.99)]:.0f}us max={writes[-1]:.0f}us, -wal max={wal_max[0] / 1048576:.2f} MiB')
shutil.rmtree(d, ignore_errors=True)
