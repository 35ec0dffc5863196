// Owns the loaded BPF objects: opens, configures, loads and attaches them, and tears everything
// down in its destructor (RAII), so no program or socket outlives the capture.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

struct capture_bpf;

struct InterfaceConfig {
  uint32_t ifindex;
  bool loopback;
  uint32_t l2Len; // 14 for Ethernet framing, 0 when frames start at the IP header
};

struct CaptureOptions {
  std::vector<uint16_t> dnsPorts;           // host byte order
  std::vector<InterfaceConfig> interfaces;  // known interfaces (framing, loopback)
  std::vector<uint32_t> bindIfindexes;      // sockets to open; empty: one for all interfaces
  uint32_t ringBytes = 0;                   // ring buffer size (power of 2 pages); 0: EW_RINGBUF_BYTES
};

class BpfCapture {
 public:
  BpfCapture() = default;
  ~BpfCapture();
  BpfCapture(const BpfCapture&) = delete;
  BpfCapture& operator=(const BpfCapture&) = delete;

  // Returns an empty string on success, else one line saying what failed.
  std::string Start(const CaptureOptions& opts);
  int RingFd() const;
  // Ring-buffer reservation failures counted in the kernel, summed over CPUs, by ew_lost_index.
  std::vector<uint64_t> LostCounts() const;
  void Close();

 private:
  capture_bpf* skel_ = nullptr;
  std::vector<int> sockets_;
};

// The last libbpf warning, for error messages.
std::string LastLibbpfMessage();
