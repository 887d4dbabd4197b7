import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Provider-computed outputs the mocks fill in, deterministically, as a provider would
 * (mocks do no auto-naming and compute nothing).
 */
export function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const { type, name, inputs } = args;
  const state: Record<string, unknown> = { ...inputs };
  switch (type) {
    case "tls:index/privateKey:PrivateKey":
      return { ...state, privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${name}\n-----END PRIVATE KEY-----\n`, publicKeyPem: `mock-public-${name}` };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { ...state, certPem: `-----BEGIN CERTIFICATE-----\nmock-${name}\n-----END CERTIFICATE-----\n`, validityEndTime: "2027-11-25T00:00:00Z" };
    case "tls:index/certRequest:CertRequest":
      return { ...state, certRequestPem: `mock-csr-${name}` };
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      return { ...state, result: `mock-${name}-0123456789abcdef` };
    case "aws:s3/bucket:Bucket":
      return { ...state, bucket: inputs.bucket ?? name, arn: `arn:aws:s3:::${inputs.bucket ?? name}`, bucketRegionalDomainName: `${inputs.bucket ?? name}.s3.amazonaws.com` };
    case "aws:iam/accessKey:AccessKey":
      return { ...state, secret: `mock-secret-${name}` };
    case "aws:sns/topic:Topic":
    case "aws:iam/policy:Policy":
    case "aws:iam/user:User":
    case "aws:iam/role:Role":
      return { ...state, name: inputs.name ?? name, arn: `arn:aws:mock::000000000000:${name}` };
    case "docker:index/remoteImage:RemoteImage": {
      // The docker provider reports the pulled (or built) image's id and digest.
      const digest = createHash("sha256").update(String(inputs.name)).digest("hex");
      return { ...state, imageId: `sha256:${digest}`, repoDigest: `${String(inputs.name).replace(/:[^:/]+$/, "")}@sha256:${digest}` };
    }
    case "command:local:Command":
    case "command:remote:Command":
      return { ...state, stdout: "", stderr: "" };
    default:
      if (type.startsWith("kubernetes:") && inputs.metadata && !inputs.metadata.name) {
        return { ...state, metadata: { ...inputs.metadata, name } };
      }
      return state.name === undefined && /^docker:/.test(type) ? { ...state, name } : state;
  }
}

/** Answers provider function calls (invokes) the stacks make. */
export function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "000000000000", arn: "arn:aws:iam::000000000000:user/mock", userId: "mock" };
    case "aws:index/getRegion:getRegion":
      return { name: "eu-west-1", region: "eu-west-1" };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    default:
      return args.inputs;
  }
}
