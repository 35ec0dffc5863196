// The JavaScript object behind one running capture: new Capture(options, onBatch), stats(), close().
#pragma once
#include <napi.h>

#include <memory>

#include "bpf-capture.h"
#include "ring-reader.h"

class CaptureHandle : public Napi::ObjectWrap<CaptureHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit CaptureHandle(const Napi::CallbackInfo& info);
  ~CaptureHandle() override;

 private:
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  void Shutdown();

  std::unique_ptr<BpfCapture> bpf_;
  std::unique_ptr<RingReader> reader_;
};
