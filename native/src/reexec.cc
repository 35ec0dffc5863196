#include "reexec.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {
// Copies a JS array of strings; the copies must live until execve, which never returns on success.
bool StringArray(const Napi::Value& value, std::vector<std::string>& out) {
  if (!value.IsArray()) return false;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) return false;
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return true;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}
}  // namespace

// reexec(path, argv, env): execve(2) with standard input, output and error kept. Returns only by
// throwing, with errno's text.
Napi::Value Reexec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> argv, envp;
  if (info.Length() != 3 || !info[0].IsString() || !StringArray(info[1], argv) || !StringArray(info[2], envp) || argv.empty()) {
    Napi::TypeError::New(env, "reexec(path: string, argv: string[], env: string[])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::vector<char*> argvp = Pointers(argv), envpp = Pointers(envp);
  // node marks its standard descriptors close-on-exec at start: the new image must keep them.
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  execve(path.c_str(), argvp.data(), envpp.data());
  Napi::Error::New(env, std::string("execve(") + path + "): " + std::strerror(errno)).ThrowAsJavaScriptException();
  return env.Undefined();
}
