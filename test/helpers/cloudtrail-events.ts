/** What LookupEvents holds, read through the AWS SDK client a test points at the server. */
import { type CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';

/** requestID → how many events of `eventName` LookupEvents holds for it, every page read. */
export async function eventsByRequestId(trail: CloudTrailClient, eventName: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let nextToken: string | undefined;
  do {
    const out = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], MaxResults: 50, NextToken: nextToken }));
    for (const e of out.Events ?? []) {
      const id = JSON.parse(e.CloudTrailEvent!).requestID as string;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return seen;
}
