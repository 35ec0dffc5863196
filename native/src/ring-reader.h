// Drains the capture's ring buffer on a native thread and hands records to JavaScript in
// batches through a thread-safe function, so the JS thread never waits on the kernel.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

struct ring_buffer;

class RingReader {
 public:
  RingReader() = default;
  ~RingReader();
  RingReader(const RingReader&) = delete;
  RingReader& operator=(const RingReader&) = delete;

  // onBatch(buffer, records) is called on the JS thread; returns "" or one line on failure.
  std::string Start(Napi::Env env, int ringFd, Napi::Function onBatch);
  // Stops the thread (within one poll interval); the remaining batches, then onBatch(null, 0),
  // reach JS afterwards.
  void Stop();

  uint64_t Records() const { return records_.load(); }
  uint64_t Batches() const { return batches_.load(); }
  // Records dropped because JS had too many batches queued (it fell behind).
  uint64_t QueueFullRecords() const { return queueFull_.load(); }

 private:
  struct Batch {
    std::vector<uint8_t> bytes;
    uint32_t count = 0;
  };
  static int OnRecord(void* ctx, void* data, size_t size);
  void Run();
  void Flush();

  ring_buffer* rb_ = nullptr;
  Napi::ThreadSafeFunction tsfn_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  Batch* batch_ = nullptr;
  std::atomic<uint64_t> records_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> queueFull_{0};
  // Batches queued to JS and not yet handled. Shared with each queued batch, because a batch
  // can be handled on the JS thread after this reader is gone (close with batches in flight).
  std::shared_ptr<std::atomic<uint32_t>> pending_ = std::make_shared<std::atomic<uint32_t>>(0);
};
