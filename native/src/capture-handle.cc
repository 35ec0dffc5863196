// Converts JavaScript options into a CaptureOptions, starts the BPF capture and its ring reader,
// and reports counters; close() (or garbage collection) stops the reader, then detaches all.
#include "capture-handle.h"

#include "events.h"

namespace {
std::vector<uint32_t> NumberArray(const Napi::Object& o, const char* key) {
  std::vector<uint32_t> out;
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
  return out;
}
}  // namespace

Napi::Function CaptureHandle::Define(Napi::Env env) {
  return DefineClass(env, "Capture",
                     {InstanceMethod<&CaptureHandle::Stats>("stats"), InstanceMethod<&CaptureHandle::Close>("close")});
}

CaptureHandle::CaptureHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureHandle>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "Capture(options, onBatch): options object and function expected").ThrowAsJavaScriptException();
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  CaptureOptions opts;
  for (uint32_t p : NumberArray(o, "dnsPorts")) opts.dnsPorts.push_back(static_cast<uint16_t>(p));
  opts.bindIfindexes = NumberArray(o, "bindIfindexes");
  if (o.Get("ringBytes").IsNumber()) opts.ringBytes = o.Get("ringBytes").As<Napi::Number>().Uint32Value();
  Napi::Value ifs = o.Get("interfaces");
  if (ifs.IsArray()) {
    Napi::Array a = ifs.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Object it = a.Get(i).As<Napi::Object>();
      opts.interfaces.push_back({it.Get("ifindex").As<Napi::Number>().Uint32Value(),
                                 it.Get("loopback").ToBoolean().Value(),
                                 it.Get("l2Len").As<Napi::Number>().Uint32Value()});
    }
  }
  bpf_ = std::make_unique<BpfCapture>();
  std::string err = bpf_->Start(opts);
  if (err.empty()) {
    reader_ = std::make_unique<RingReader>();
    err = reader_->Start(env, bpf_->RingFd(), info[1].As<Napi::Function>());
  }
  if (!err.empty()) {
    Shutdown();
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
  }
}

CaptureHandle::~CaptureHandle() { Shutdown(); }

void CaptureHandle::Shutdown() {
  if (reader_) reader_->Stop();  // before the ring buffer's map goes away
  reader_.reset();
  bpf_.reset();
}

Napi::Value CaptureHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("records", Napi::Number::New(env, reader_ ? static_cast<double>(reader_->Records()) : 0));
  out.Set("batches", Napi::Number::New(env, reader_ ? static_cast<double>(reader_->Batches()) : 0));
  out.Set("queueFull", Napi::Number::New(env, reader_ ? static_cast<double>(reader_->QueueFullRecords()) : 0));
  Napi::Array lost = Napi::Array::New(env, EW_LOST_SLOTS);
  std::vector<uint64_t> counts = bpf_ ? bpf_->LostCounts() : std::vector<uint64_t>(EW_LOST_SLOTS, 0);
  for (uint32_t i = 0; i < EW_LOST_SLOTS; i++) lost.Set(i, Napi::Number::New(env, static_cast<double>(counts[i])));
  out.Set("lost", lost);
  return out;
}

// Returns the final counters: read after the reader has drained the ring, before the maps go.
Napi::Value CaptureHandle::Close(const Napi::CallbackInfo& info) {
  if (reader_) reader_->Stop();
  Napi::Value stats = Stats(info);
  Shutdown();
  return stats;
}
