/**
 * The internal model of one API call event (camelCase), produced by the KMS edge for every call —
 * successful or not — and turned into a CloudTrail record (eventVersion 1.11) by the trail's one
 * formatter. Never carries plaintext, data keys or ciphertext.
 */
export interface TrailUserIdentity {
  /** "IAMUser" for Sealtrail-issued access keys; "AWSAccount"/"Unknown" for unauthenticated calls. */
  type: string;
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  userName: string;
}

/** The userIdentity of an event the service itself causes (AwsServiceEvent): no caller, only the account. */
export interface TrailServiceIdentity {
  accountId: string;
  /** "AWS Internal" */
  invokedBy: string;
}

export interface TrailResource {
  accountId: string;
  type: 'AWS::KMS::Key';
  arn: string;
}

/** How the call's connection was protected, as CloudTrail's `tlsDetails` shows it. */
export interface TrailTlsDetails {
  /** `TLSv1.3`, `TLSv1.2` */
  tlsVersion: string;
  /** The OpenSSL name of the negotiated suite: `TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES128-GCM-SHA256`. */
  cipherSuite: string;
  /** The Host header as the client sent it (bounded). */
  clientProvidedHostHeader: string;
}

export interface TrailEventInput {
  /** uuid v4 */
  eventId: string;
  /** uuid v4 request id (also the x-amzn-RequestId response header); a service event's is not recorded. */
  requestId: string;
  /** ms since epoch */
  eventTime: number;
  eventSource: string;               // "kms.amazonaws.com"
  eventName: string;                 // "Decrypt"
  awsRegion: string;
  sourceIpAddress: string;
  userAgent: string;
  /** For a service event only its accountId is recorded (SERVICE_IDENTITY). */
  userIdentity: TrailUserIdentity;
  /** "AwsApiCall" when absent; "AwsServiceEvent" for what the service does on its own (DeleteKey). */
  eventType?: 'AwsApiCall' | 'AwsServiceEvent';
  /** Already scrubbed of Plaintext / CiphertextBlob / data keys / attestation documents. */
  requestParameters: Record<string, unknown> | null;
  /** null for cryptographic operations, as CloudTrail does. */
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  readOnly: boolean;
  resources: TrailResource[];
  managementEvent: boolean;
  eventCategory: 'Management' | 'Data';
  recipientAccountId: string;
  /** A service event's own facts (RotateKey: rotationType, key material ids), as AWS records them. */
  serviceEventDetails?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  /** Absent when the call came over plain HTTP. */
  tlsDetails?: TrailTlsDetails;
  /** The Vault-side request id of the same call, for correlation with audit entries. */
  sealtrailRequestId?: string;
}

/** Where the KMS edge sends events; the trail module implements it (durable store + delivery). */
export interface TrailRecorder {
  /**
   * Resolves once the event is durably kept: in the store, or in the journal while it waits for
   * the store (recorder.ts). Rejects when it is in neither (it still waits for the store).
   */
  record(event: TrailEventInput): Promise<void>;
  /** Throws, before a call acts, when its event could not be kept (recorder.ts). */
  admit(): void;
  /** How many events wait for the store. */
  pending(): number;
  /**
   * True from the store's first refusal (or from falling MAX_PENDING_EVENTS behind) until every
   * event that waited is in: LookupEvents and trails lack the waiting events meanwhile.
   */
  failing(): boolean;
  /** Offers waiting events to the store once more and stops retrying; returns how many it could not take. */
  close(): Promise<number>;
}
