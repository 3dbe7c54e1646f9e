// What `hookline serve` prints for a person: where it listens, the admin token (once), and commands to paste.

export function quickStartText(url: string, generatedToken: string | null, tokenFromEnv: boolean): string {
  const token = generatedToken ?? (tokenFromEnv ? '$HOOKLINE_ADMIN_TOKEN' : '<your admin token>');
  const lines = [
    '',
    `hookline listening on ${url}`,
    `dashboard: ${url}/ (sign in with the admin token)`,
    `health: ${url}/api/v1/health/  metrics: ${url}/metrics`,
  ];
  if (generatedToken !== null) {
    lines.push(
      '',
      `admin token (shown once; only its hash is stored): ${generatedToken}`,
      'set HOOKLINE_ADMIN_TOKEN to choose your own token instead.',
    );
  } else if (!tokenFromEnv) {
    lines.push('', 'admin token: the one printed on first start (or set HOOKLINE_ADMIN_TOKEN).');
  }
  lines.push(
    '',
    'try it:',
    `  export HOOKLINE_TOKEN=${token}`,
    `  curl -s -X POST ${url}/api/v1/app -H "Authorization: Bearer $HOOKLINE_TOKEN" -H 'content-type: application/json' -d '{"name":"Acme","uid":"acme"}'`,
    `  curl -s -X POST ${url}/api/v1/app/acme/endpoint -H "Authorization: Bearer $HOOKLINE_TOKEN" -H 'content-type: application/json' -d '{"url":"https://example.com/webhooks"}'`,
    `  curl -s -X POST ${url}/api/v1/app/acme/msg -H "Authorization: Bearer $HOOKLINE_TOKEN" -H 'content-type: application/json' -d '{"eventType":"payment.succeeded","payload":{"id":"pay_1","amount":1000}}'`,
    '',
    'API keys (admin, or scoped to one application for a customer portal):',
    `  HOOKLINE_URL=${url} hookline keys create --name portal --app acme`,
    '',
  );
  return lines.join('\n');
}
