// Maps kernel drop-reason numbers (enum skb_drop_reason) to names without the SKB_DROP_REASON_
// prefix, from the running kernel's BTF so the names match the kernel that reports them.
export type DropReasonNames = (reason: number) => string;

export function dropReasonNames(entries: readonly (readonly [number, string])[]): DropReasonNames {
  const names = new Map<number, string>();
  for (const [value, name] of entries) names.set(value, name.replace(/^SKB_DROP_REASON_/, '').replace(/^SKB_/, ''));
  return (reason) => names.get(reason) ?? `REASON_${reason}`;
}
