// Ring-buffer reader thread: copies records into batches (each record 8-byte aligned, as
// written by the BPF side) and queues whole batches to JavaScript; a full queue counts as loss.
#include "ring-reader.h"

#include <bpf/libbpf.h>
#include <cerrno>
#include <cstring>
#include <pthread.h>

#include "events.h"

namespace {
constexpr size_t kBatchRecords = 2048;
constexpr size_t kBatchBytes = 512 * 1024;
constexpr size_t kQueueBatches = 256;

struct Delivery {
  std::vector<uint8_t> bytes;
  uint32_t count;
  std::shared_ptr<std::atomic<uint32_t>> pending;
};
}  // namespace

RingReader::~RingReader() { Stop(); }

std::string RingReader::Start(Napi::Env env, int ringFd, Napi::Function onBatch) {
  rb_ = ring_buffer__new(ringFd, &RingReader::OnRecord, this, nullptr);
  if (!rb_) return std::string("ring buffer: ") + strerror(errno);
  // Unbounded at the N-API level: the bound is pending_, so the end marker always fits.
  tsfn_ = Napi::ThreadSafeFunction::New(env, onBatch, "egresswatch-ring", 0, 1);
  batch_ = new Batch();
  started_ = true;
  thread_ = std::thread(&RingReader::Run, this);
  return "";
}

int RingReader::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<RingReader*>(ctx);
  if (size < sizeof(ew_header)) return 0;
  const auto* h = static_cast<const ew_header*>(data);
  // Large packet slots are reserved whole; only the bytes the program wrote are copied.
  size_t len = h->size < size ? h->size : size;
  if (len < sizeof(ew_header)) len = sizeof(ew_header);  // the size field below must be in bounds
  size_t padded = (len + 7) & ~size_t(7);
  Batch* b = self->batch_;
  size_t at = b->bytes.size();
  b->bytes.resize(at + padded);
  memcpy(b->bytes.data() + at, data, len);
  if (padded > len) memset(b->bytes.data() + at + len, 0, padded - len);
  // The copied header carries the length actually copied.
  reinterpret_cast<ew_header*>(b->bytes.data() + at)->size = static_cast<uint32_t>(len);
  b->count++;
  self->records_++;
  if (b->count >= kBatchRecords || b->bytes.size() >= kBatchBytes) self->Flush();
  return 0;
}

void RingReader::Flush() {
  if (!batch_ || batch_->count == 0) return;
  if (pending_->load() >= kQueueBatches) {
    // JavaScript is behind by kQueueBatches batches: drop this one and say so.
    queueFull_ += batch_->count;
    batch_->bytes.clear();
    batch_->count = 0;
    return;
  }
  auto* d = new Delivery{std::move(batch_->bytes), batch_->count, pending_};
  batch_->bytes = std::vector<uint8_t>();
  batch_->bytes.reserve(64 * 1024);
  batch_->count = 0;
  (*pending_)++;
  napi_status st = tsfn_.NonBlockingCall(d, [](Napi::Env env, Napi::Function fn, Delivery* del) {
    (*del->pending)--;
    if (env != nullptr && fn != nullptr) {
      auto* vec = new std::vector<uint8_t>(std::move(del->bytes));
      auto buf = Napi::Buffer<uint8_t>::New(env, vec->data(), vec->size(),
                                            [](Napi::Env, uint8_t*, std::vector<uint8_t>* v) { delete v; }, vec);
      fn.Call({buf, Napi::Number::New(env, del->count)});
    }
    delete del;
  });
  if (st != napi_ok) {
    (*pending_)--;
    queueFull_ += d->count;
    delete d;
  } else {
    batches_++;
  }
}

void RingReader::Run() {
  pthread_setname_np(pthread_self(), "ew-ring-reader");  // visible in top -H and /proc
  batch_->bytes.reserve(64 * 1024);
  while (!stop_.load()) {
    // Sleeps until the ring holds EW_WAKEUP_BYTES (the BPF side wakes us) or EW_DRAIN_MS pass;
    // records submitted without a wakeup are drained by the consume that follows.
    int n = ring_buffer__poll(rb_, EW_DRAIN_MS);
    if (n < 0 && n != -EINTR) break;
    n = ring_buffer__consume(rb_);
    if (n < 0 && n != -EINTR) break;
    Flush();
  }
  // Whatever is left in the ring at stop is delivered too.
  ring_buffer__consume(rb_);
  Flush();
}

void RingReader::Stop() {
  if (!started_) return;
  started_ = false;
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  // End marker: onBatch(null, 0) after every batch, so JS knows nothing more will come.
  tsfn_.NonBlockingCall([](Napi::Env env, Napi::Function fn) {
    if (env != nullptr && fn != nullptr) fn.Call({env.Null(), Napi::Number::New(env, 0)});
  });
  tsfn_.Release();
  delete batch_;
  batch_ = nullptr;
  ring_buffer__free(rb_);
  rb_ = nullptr;
}
