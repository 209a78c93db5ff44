// What a browser gets at `GET /` of `npm start` until a console exists: which service this is,
// its version, and how to talk to it — instead of an EC2 error it cannot read.
import packageJson from '../../../package.json' with { type: 'json' };

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** The page for a request that reached us through `host` (the Host header, so the endpoint shown is the one the browser used). */
export function homePage(host: string | undefined): string {
  const endpoint = escapeHtml(`http://${host || 'localhost'}`);
  const version = escapeHtml(packageJson.version);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Self-hosted IPAM ${version}</title></head>
<body>
<h1>Self-hosted IPAM</h1>
<p>Version ${version}: an AWS-compatible Amazon VPC IP Address Manager. This address is an API
endpoint (EC2 Query API, version 2016-11-15, SigV4-signed); there is no web console yet.</p>
<h2>Use it</h2>
<p>Point the AWS CLI or an AWS SDK at this endpoint with the access key printed by <code>npm start</code>:</p>
<pre>aws ec2 describe-ipams --endpoint-url ${endpoint} --region us-east-1</pre>
<p>In boto3: <code>boto3.client('ec2', endpoint_url='${endpoint}', region_name='us-east-1')</code>;
in the AWS SDK for JavaScript: <code>new EC2Client({ endpoint: '${endpoint}', region: 'us-east-1' })</code>.</p>
<p>JSON API: <code>POST ${endpoint}/api/{Action}</code> with the action's input as JSON (also SigV4-signed).</p>
<p>Health: <a href="/health"><code>GET ${endpoint}/health</code></a>.</p>
</body>
</html>
`;
}
