/**
 * The S3 API operation of a path-style request (`/bucket` or `/bucket/key`), from its method and
 * query, so fault plans and request counts read as `UploadPart` rather than `PUT ...?partNumber=`.
 * 'Other' for anything this backend does not send.
 */
export function s3OperationOf(method: string, url: string): string {
  const parsed = new URL(url, 'http://proxy');
  const query = parsed.searchParams;
  const hasKey = parsed.pathname.split('/').filter(Boolean).length > 1;
  if (!hasKey) {
    if (method === 'GET' && query.get('list-type') === '2') return 'ListObjectsV2';
    if (method === 'GET' && query.has('uploads')) return 'ListMultipartUploads';
    if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
    return 'Other';
  }
  switch (method) {
    case 'PUT':
      return query.has('partNumber') && query.has('uploadId') ? 'UploadPart' : 'PutObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      return query.has('uploadId') ? 'CompleteMultipartUpload' : 'Other';
    case 'DELETE':
      return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'GET':
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    default:
      return 'Other';
  }
}
