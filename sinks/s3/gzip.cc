#include "sinks/s3/gzip.h"

#include <zlib.h>

namespace sqlite_cdc::sinks {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip header and trailer instead of zlib's

// Owns a z_stream for deflate or inflate.
class ZStream {
 public:
  explicit ZStream(bool deflate) : deflate_(deflate) {
    ok_ = deflate ? deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) ==
                        Z_OK
                  : inflateInit2(&stream_, kGzipWindowBits) == Z_OK;
  }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;
  ~ZStream() {
    if (ok_) deflate_ ? deflateEnd(&stream_) : inflateEnd(&stream_);
  }
  bool ok() const { return ok_; }
  z_stream& get() { return stream_; }

 private:
  z_stream stream_{};
  bool deflate_;
  bool ok_ = false;
};

}  // namespace

std::string Gzip(std::string_view data) {
  ZStream z(true);
  if (!z.ok()) return {};
  z_stream& stream = z.get();
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  return out;
}

std::optional<std::string> Gunzip(std::string_view data) {
  ZStream z(false);
  if (!z.ok()) return std::nullopt;
  z_stream& stream = z.get();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[64 * 1024];
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    const int result = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - stream.avail_out);
    if (result == Z_STREAM_END) return out;
    if (result != Z_OK) return std::nullopt;
    if (stream.avail_in == 0 && stream.avail_out != 0) return std::nullopt;  // truncated
  }
}

}  // namespace sqlite_cdc::sinks
