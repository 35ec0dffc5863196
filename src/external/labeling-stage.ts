// Builds the labelling stage for `egresswatch run` (and the label command) from the validated
// configuration: data from disk, the AWS metadata source when enabled, the labeller itself.
import type { AwsMetadataSource } from './sources/aws-metadata-source.js';
import { createEndpointLabeler, type EndpointLabeler } from './labeler.js';
import { loadLabelData, type LabelData, type LabelDataOptions } from './feeds/label-data.js';

export interface LabelingStageOptions extends LabelDataOptions {
  /** Where one-line notices go (AWS disabled, range file unusable…). */
  log?: (line: string) => void;
  /** Start AWS metadata (when settings allow): the label command turns it off unless asked. */
  aws?: boolean;
}

export interface LabelingStage {
  labeler: EndpointLabeler;
  data: LabelData;
  aws?: AwsMetadataSource;
  /** Stops the AWS refresh timer and client. */
  close(): void;
}

/** Never throws for missing optional data; throws a one-line error for a broken configured file. */
export async function createLabelingStage(options: LabelingStageOptions): Promise<LabelingStage> {
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
  const labeler = createEndpointLabeler({
    endpoints: s.endpoints,
    catalogue: data.catalogue,
    ranges: data.ranges.trie,
    ...(data.asn ? { asn: data.asn } : {}),
    ...(aws ? { aws } : {}),
    passiveDns: s.passiveDns,
  });
  return { labeler, data, ...(aws ? { aws } : {}), close: () => aws?.stop() };
}
