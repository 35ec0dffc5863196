// Open/load/attach/destroy of the capture's BPF programs and the AF_PACKET sockets that carry
// the DNS socket filter.
#include "bpf-capture.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <mutex>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.skel.h"
#include "events.h"

namespace {
std::mutex g_msgMutex;
std::string g_lastMsg;

int LibbpfPrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[512];
  int n = vsnprintf(buf, sizeof buf, fmt, args);
  std::string line(buf, n > 0 ? std::min<size_t>(n, sizeof buf - 1) : 0);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  if (!line.empty()) {
    std::lock_guard<std::mutex> lock(g_msgMutex);
    g_lastMsg = line;
  }
  return 0;
}

std::string Errno(const char* what, int err) {
  std::string m = std::string(what) + ": " + strerror(err < 0 ? -err : err);
  std::string last = LastLibbpfMessage();
  if (!last.empty()) m += " (libbpf: " + last + ")";
  return m;
}

// A raw packet socket that only runs the filter: the filter returns 0, so nothing is queued.
int OpenFilterSocket(int progFd, uint32_t ifindex, std::string* err) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    *err = Errno("AF_PACKET socket", errno);
    return -1;
  }
  // Attach before binding to a protocol so no packet is queued unfiltered.
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &progFd, sizeof progFd) < 0) {
    *err = Errno("attach socket filter", errno);
    close(fd);
    return -1;
  }
  struct sockaddr_ll sll = {};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(ifindex);
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&sll), sizeof sll) < 0) {
    *err = Errno("bind packet socket", errno);
    close(fd);
    return -1;
  }
  return fd;
}
}  // namespace

std::string LastLibbpfMessage() {
  std::lock_guard<std::mutex> lock(g_msgMutex);
  return g_lastMsg;
}

BpfCapture::~BpfCapture() { Close(); }

void BpfCapture::Close() {
  for (int fd : sockets_) close(fd);
  sockets_.clear();
  if (skel_) {
    capture_bpf__destroy(skel_);  // detaches every link and closes every map and program
    skel_ = nullptr;
  }
}

std::string BpfCapture::Start(const CaptureOptions& opts) {
  libbpf_set_print(LibbpfPrint);
  skel_ = capture_bpf__open();
  if (!skel_) return Errno("open BPF object", errno);
  if (opts.ringBytes) {
    int err = bpf_map__set_max_entries(skel_->maps.records, opts.ringBytes);
    if (err) return Errno("set ring buffer size", err);
  }
  int err = capture_bpf__load(skel_);
  if (err) return Errno("load BPF programs", err);

  int portsFd = bpf_map__fd(skel_->maps.dns_ports);
  for (uint16_t p : opts.dnsPorts) {
    uint16_t key = htons(p);
    uint8_t one = 1;
    if (bpf_map_update_elem(portsFd, &key, &one, BPF_ANY) < 0) return Errno("set DNS ports", errno);
  }
  int ifFd = bpf_map__fd(skel_->maps.iface_cfg);
  for (const auto& i : opts.interfaces) {
    uint32_t v = (i.loopback ? 1u : 0u) | ((i.l2Len & 0xff) << 8);
    if (bpf_map_update_elem(ifFd, &i.ifindex, &v, BPF_ANY) < 0) return Errno("set interfaces", errno);
  }

  // TCP hooks first so connections that start while the packet sockets open are attributed.
  err = capture_bpf__attach(skel_);
  if (err) return Errno("attach BPF programs", err);

  int progFd = bpf_program__fd(skel_->progs.dns_frames);
  std::string sockErr;
  std::vector<uint32_t> binds = opts.bindIfindexes;
  if (binds.empty()) binds.push_back(0);
  for (uint32_t ifindex : binds) {
    int fd = OpenFilterSocket(progFd, ifindex, &sockErr);
    if (fd < 0) return sockErr;
    sockets_.push_back(fd);
  }
  return "";
}

int BpfCapture::RingFd() const { return skel_ ? bpf_map__fd(skel_->maps.records) : -1; }

std::vector<uint64_t> BpfCapture::LostCounts() const {
  std::vector<uint64_t> out(EW_LOST_SLOTS, 0);
  if (!skel_) return out;
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  std::vector<uint64_t> perCpu(static_cast<size_t>(ncpu));
  int fd = bpf_map__fd(skel_->maps.lost);
  for (uint32_t k = 0; k < EW_LOST_SLOTS; k++) {
    if (bpf_map_lookup_elem(fd, &k, perCpu.data()) < 0) continue;
    for (uint64_t v : perCpu) out[k] += v;
  }
  return out;
}
