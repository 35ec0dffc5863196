// Entry point of the egresswatch capture addon: registers exports only.
#include <napi.h>

#include "capture-handle.h"
#include "kernel-btf.h"
#include "layout.h"
#include "privileges.h"
#include "reexec.h"

namespace {
Napi::Value DropReasons(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto values = KernelEnumValues("skb_drop_reason");
  Napi::Array out = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); i++) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::Number::New(env, values[i].first));
    pair.Set(1u, Napi::String::New(env, values[i].second));
    out.Set(static_cast<uint32_t>(i), pair);
  }
  return out;
}

Napi::Value Layout(const Napi::CallbackInfo& info) { return RecordLayout(info.Env()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Capture", CaptureHandle::Define(env));
  exports.Set("dropReasons", Napi::Function::New(env, DropReasons));
  exports.Set("layout", Napi::Function::New(env, Layout));
  exports.Set("setNoNewPrivs", Napi::Function::New(env, SetNoNewPrivs));
  exports.Set("reexec", Napi::Function::New(env, Reexec));
  return exports;
}
}  // namespace

NODE_API_MODULE(egresswatch_capture, Init)
