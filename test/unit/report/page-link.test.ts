/** The link the report mail gives to open the stored page. */
import { S3Client } from '@aws-sdk/client-s3';
import { localPageLink, PAGE_LINK_SECONDS, presignedPageLink } from '../../../src/report/page-link';

describe('the report page link', () => {
  it('on AWS is a presigned GET of the page key in the lake bucket, valid for seven days at most', async () => {
    const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    const url = new URL(await presignedPageLink(s3)('stockpipe-lake-xyz', 'reports/dt=2026-03-02/report.html'));
    s3.destroy();
    expect(url.hostname).toBe('stockpipe-lake-xyz.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/reports/dt%3D2026-03-02/report.html');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(PAGE_LINK_SECONDS));
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(PAGE_LINK_SECONDS).toBe(604800);
  });

  it('locally is the page file as the S3 stand-in stores it', async () => {
    expect(await localPageLink('/data/.stockpipe/lake')('stockpipe-lake', 'reports/dt=2026-03-02/report.html')).toBe(
      '/data/.stockpipe/lake/stockpipe-lake/reports/dt=2026-03-02/report.html._S3rver_object',
    );
  });
});
