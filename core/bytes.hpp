// core/bytes.hpp — bounds-checked big-endian byte reader and writer.
//
// ByteReader walks a span it does not own. Every read is checked: reading past the
// end returns zero/empty, leaves the position unchanged and makes failed() true for
// good ("sticky"), so a decoder may read a group of fields and check once. It never
// reads outside its span, never throws and never allocates.
// ByteWriter appends to a std::vector<uint8_t> it borrows, and can patch a length
// field written earlier. Both are header-only; pure, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace petrel {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  std::size_t position() const { return pos_; }
  std::size_t size() const { return data_.size(); }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  bool has(std::size_t n) const { return !failed_ && remaining() >= n; }
  bool failed() const { return failed_; }
  bool ok() const { return !failed_; }
  const uint8_t* current() const { return data_.data() + pos_; }

  uint8_t u8() {
    if (!has(1)) return fail<uint8_t>();
    return data_[pos_++];
  }
  uint16_t u16() {
    if (!has(2)) return fail<uint16_t>();
    const uint16_t v = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u24() {
    if (!has(3)) return fail<uint32_t>();
    const uint32_t v = (uint32_t{data_[pos_]} << 16) | (uint32_t{data_[pos_ + 1]} << 8) | data_[pos_ + 2];
    pos_ += 3;
    return v;
  }
  uint32_t u32() {
    if (!has(4)) return fail<uint32_t>();
    const uint32_t v = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                       (uint32_t{data_[pos_ + 2]} << 8) | data_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  // The next n bytes as a view into the underlying buffer (empty on overrun).
  std::span<const uint8_t> bytes(std::size_t n) {
    if (!has(n)) return fail<std::span<const uint8_t>>();
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  // Copies exactly `n` bytes into `out`; false (and failed()) on overrun.
  bool copy(uint8_t* out, std::size_t n) {
    if (!has(n)) return fail<bool>();
    std::memcpy(out, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(std::size_t n) {
    if (!has(n)) return fail<bool>();
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> rest() { return bytes(remaining()); }

 private:
  template <class T>
  T fail() {
    failed_ = true;
    return T{};
  }

  std::span<const uint8_t> data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}

  std::size_t size() const { return out_.size(); }
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void u24(uint32_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 16));
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 24));
    out_.push_back(static_cast<uint8_t>(v >> 16));
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void bytes(const uint8_t* p, std::size_t n) { out_.insert(out_.end(), p, p + n); }
  void fill(uint8_t v, std::size_t n) { out_.insert(out_.end(), n, v); }
  void patch_u8(std::size_t at, uint8_t v) { out_[at] = v; }
  void patch_u16(std::size_t at, uint16_t v) {
    out_[at] = static_cast<uint8_t>(v >> 8);
    out_[at + 1] = static_cast<uint8_t>(v);
  }
  void truncate(std::size_t n) { out_.resize(n); }

 private:
  std::vector<uint8_t>& out_;
};

}  // namespace petrel
