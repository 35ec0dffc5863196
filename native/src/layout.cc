// Sizes and field offsets of the records in events.h, so the TypeScript decoder's test can
// check that it mirrors the C layout exactly.
#include "layout.h"

#include <cstddef>

#include "events.h"

#define FIELD(obj, type, field) obj.Set(#field, Napi::Number::New(env, offsetof(type, field)))

Napi::Object RecordLayout(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Object h = Napi::Object::New(env);
  h.Set("sizeof", Napi::Number::New(env, sizeof(ew_header)));
  FIELD(h, ew_header, kind); FIELD(h, ew_header, flags); FIELD(h, ew_header, size); FIELD(h, ew_header, ts_ns);
  out.Set("header", h);
  Napi::Object o = Napi::Object::New(env);
  o.Set("sizeof", Napi::Number::New(env, sizeof(ew_owner)));
  FIELD(o, ew_owner, cgroup_id); FIELD(o, ew_owner, pid); FIELD(o, ew_owner, comm);
  out.Set("owner", o);
  Napi::Object p = Napi::Object::New(env);
  p.Set("sizeof", Napi::Number::New(env, sizeof(ew_packet)));
  FIELD(p, ew_packet, owner); FIELD(p, ew_packet, ifindex); FIELD(p, ew_packet, orig_len); FIELD(p, ew_packet, cap_len);
  FIELD(p, ew_packet, pkt_type); FIELD(p, ew_packet, l2_len); FIELD(p, ew_packet, data);
  out.Set("packet", p);
  Napi::Object t = Napi::Object::New(env);
  t.Set("sizeof", Napi::Number::New(env, sizeof(ew_tcp)));
  FIELD(t, ew_tcp, owner); FIELD(t, ew_tcp, sk); FIELD(t, ew_tcp, latency_ns); FIELD(t, ew_tcp, saddr);
  FIELD(t, ew_tcp, daddr); FIELD(t, ew_tcp, sport); FIELD(t, ew_tcp, dport); FIELD(t, ew_tcp, family);
  FIELD(t, ew_tcp, event); FIELD(t, ew_tcp, old_state); FIELD(t, ew_tcp, sk_err);
  out.Set("tcp", t);
  Napi::Object d = Napi::Object::New(env);
  d.Set("sizeof", Napi::Number::New(env, sizeof(ew_drop)));
  FIELD(d, ew_drop, reason); FIELD(d, ew_drop, ifindex); FIELD(d, ew_drop, saddr); FIELD(d, ew_drop, daddr);
  FIELD(d, ew_drop, sport); FIELD(d, ew_drop, dport); FIELD(d, ew_drop, family); FIELD(d, ew_drop, proto);
  out.Set("drop", d);
  Napi::Object c = Napi::Object::New(env);
  c.Set("packetSmall", Napi::Number::New(env, EW_PKT_SMALL));
  c.Set("packetMedium", Napi::Number::New(env, EW_PKT_MEDIUM));
  c.Set("packetMax", Napi::Number::New(env, EW_PKT_MAX));
  c.Set("lostSlots", Napi::Number::New(env, EW_LOST_SLOTS));
  out.Set("constants", c);
  return out;
}
