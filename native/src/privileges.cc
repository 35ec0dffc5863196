#include "privileges.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/prctl.h>

// Sets no_new_privs on the calling thread (the JS thread, which is where node starts child
// processes: they inherit it). Throws with errno's text when the kernel refuses.
Napi::Value SetNoNewPrivs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    Napi::Error::New(env, std::string("prctl(PR_SET_NO_NEW_PRIVS): ") + std::strerror(errno)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}
