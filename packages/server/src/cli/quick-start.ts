// What `hookline serve` prints for a person: where it listens, the admin token (once), and commands to paste. In
// development mode the commands deliver to the built-in test receiver, so the first try arrives, visibly; every
// command can be pasted again without an error (get_if_exists, PUT by uid).
import { TEST_RECEIVER_PATH } from '../dev/test-receiver.js';

export interface QuickStartOptions {
  url: string;
  /** The admin token when this start generated it (shown once), else null. */
  generatedToken: string | null;
  /** HOOKLINE_ADMIN_TOKEN is set: the person knows the token. */
  tokenFromEnv: boolean;
  dev: boolean;
  /** The address is reachable from other machines (HOST=0.0.0.0 or a public address). */
  exposed: boolean;
}

const APP_UID = 'acme';

function curl(options: QuickStartOptions, method: string, path: string, body: unknown): string {
  return `  curl -s -w '\\n' -X ${method} '${options.url}${path}' -H "Authorization: Bearer $HOOKLINE_TOKEN" -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
}

export function quickStartText(options: QuickStartOptions): string {
  const { url, generatedToken, tokenFromEnv, dev } = options;
  const lines = [''];
  if (dev) {
    lines.push(
      '==================================== DEVELOPMENT MODE ====================================',
      'Deliveries to loopback and private addresses are ALLOWED (the SSRF guard is off), and a test',
      `receiver that verifies signatures answers at ${url}${TEST_RECEIVER_PATH}/<app>.`,
      'For production, run `npx hookline serve` (without --dev): private addresses are refused there.',
      ...(options.exposed
        ? ['WARNING: this address is reachable from other machines; development mode is not safe there.']
        : []),
      '==========================================================================================',
      '',
    );
  }
  lines.push(
    `hookline listening on ${url}${dev ? ' (development mode)' : ''}`,
    `dashboard: ${url}/ (sign in with the admin token)`,
    `health: ${url}/api/v1/health/  metrics: ${url}/metrics`,
  );
  let exportLine: string;
  if (generatedToken !== null) {
    lines.push(
      '',
      `admin token (shown once; only its hash is stored): ${generatedToken}`,
      'set HOOKLINE_ADMIN_TOKEN to choose your own token instead.',
    );
    exportLine = `  export HOOKLINE_URL=${url} HOOKLINE_TOKEN=${generatedToken}`;
  } else if (tokenFromEnv) {
    exportLine = `  export HOOKLINE_URL=${url} HOOKLINE_TOKEN="$HOOKLINE_ADMIN_TOKEN"`;
  } else {
    lines.push(
      '',
      'admin token: the one printed on the first start. Lost it? Restart with HOOKLINE_ADMIN_TOKEN=<16+ characters>:',
      'that becomes the admin token.',
    );
    exportLine = `  export HOOKLINE_URL=${url} HOOKLINE_TOKEN=...   # the admin token`;
  }
  const receiverUrl = dev ? `${url}${TEST_RECEIVER_PATH}/${APP_UID}` : '<the https URL of your receiver>';
  lines.push(
    '',
    dev
      ? 'try it in another terminal: an application, an endpoint at the test receiver, a message:'
      : 'try it in another terminal (for a receiver on this machine, use development mode: npm start, or serve --dev):',
    exportLine,
    curl(options, 'POST', '/api/v1/app?get_if_exists=true', { name: 'Acme', uid: APP_UID }),
    curl(options, 'PUT', `/api/v1/app/${APP_UID}/endpoint/${dev ? 'test-receiver' : 'my-receiver'}`, {
      url: receiverUrl,
    }),
    curl(options, 'POST', `/api/v1/app/${APP_UID}/msg`, {
      eventType: 'payment.succeeded',
      payload: { id: 'pay_1', amount: 1000 },
    }),
  );
  if (dev) {
    lines.push(
      `then see it arrive: here ("test receiver: … signature verified") and in the dashboard, ${url}/#/app/${APP_UID}`,
    );
  }
  lines.push(
    '',
    'the CLI, with the same two variables set (npx runs the hookline installed here):',
    '  npx hookline --help',
    `  npx hookline tail ${APP_UID}                                # attempts as they happen`,
    `  npx hookline keys create --name portal --app ${APP_UID}    # a key for one application (customer portal)`,
    '',
  );
  return lines.join('\n');
}
