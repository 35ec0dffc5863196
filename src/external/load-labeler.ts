// Builds the labeler from the validated configuration: data from disk (catalogue, IP ranges,
// ASN), the AWS metadata source when enabled, and the passive DNS table it reads names from.
import type { LabelData, LabelDataOptions } from './feeds/label-data.js';
import { loadLabelData } from './feeds/label-data.js';
import { createLabeler, type Labeler } from './labeler.js';
import type { AwsMetadataSource } from './sources/aws-metadata-source.js';
import type { PassiveDns } from './sources/passive-dns.js';

export interface LoadLabelerOptions extends LabelDataOptions {
  /** Where one-line notices go (AWS disabled, range file unusable…). */
  log?: (line: string) => void;
  /** Start AWS metadata (when settings allow): the label and check commands turn it off unless asked. */
  aws?: boolean;
}

export interface LoadedLabeler {
  labeler: Labeler;
  data: LabelData;
  aws?: AwsMetadataSource;
  /** Stops the AWS refresh timer and client. */
  close(): void;
}

/** Never throws for missing optional data; throws a one-line error for a broken configured file. */
export async function loadLabeler(options: LoadLabelerOptions, passiveDns: PassiveDns): Promise<LoadedLabeler> {
  const log = options.log ?? (() => {});
  const data = loadLabelData(options);
  for (const p of data.problems) log(`labels: ${p}`);
  const s = options.settings;
  let aws: AwsMetadataSource | undefined;
  if (options.aws !== false && s.aws.enabled !== false) {
    // The SDK takes a second to import: only when AWS metadata is wanted.
    const { createAwsMetadataSource } = await import('./sources/aws-metadata-source.js');
    aws = createAwsMetadataSource({ ...s.aws, log });
    if (!(await aws.start())) {
      aws.stop();
      aws = undefined;
    }
  }
  const labeler = createLabeler({
    endpoints: s.endpoints,
    catalogue: data.catalogue,
    ranges: data.ranges.trie,
    ...(data.asn ? { asn: data.asn } : {}),
    ...(aws ? { aws } : {}),
    passiveDns,
  });
  return { labeler, data, ...(aws ? { aws } : {}), close: () => aws?.stop() };
}
