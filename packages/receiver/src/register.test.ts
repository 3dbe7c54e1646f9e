// Registration besides on(): TC39 decorators on class methods, and a module of functions named after events.
// The @ts-expect-error lines are part of the test: `npm run typecheck` fails if a mistyped handler compiles.
import {
  type EventFor,
  handlerName,
  handles,
  type IncomingWebhookRequest,
  typedHandles,
  type WebhookEvent,
  Webhooks,
} from '@hookline/receiver';
import { describe, expect, it } from 'vitest';
import * as billing from '../test/fixtures/billing-handlers.js';
import { SECRET, signedStandard } from '../test/support.js';

type Events = billing.BillingEvents;
const on = typedHandles<Events>();

async function request(payload: unknown): Promise<IncomingWebhookRequest> {
  const signed = await signedStandard(payload);
  return {
    method: 'POST',
    headers: signed.headers,
    remoteAddress: '127.0.0.1',
    body: new TextEncoder().encode(signed.body),
  };
}

const paid = { type: 'invoice.paid', data: { invoiceId: 'in_42' } };
const voided = { type: 'invoice.voided', data: { invoiceId: 'in_43' } };

class BillingHandlers {
  readonly seen: string[] = [];
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  @on('invoice.paid')
  markPaid(event: EventFor<Events, 'invoice.paid'>): void {
    // `this` is the instance: registered handlers are bound.
    this.seen.push(`${this.#prefix} paid ${event.payload.data.invoiceId}`);
  }

  @on(['invoice.paid', 'invoice.voided'])
  audit(event: EventFor<Events, 'invoice.paid' | 'invoice.voided'>): void {
    this.seen.push(`${this.#prefix} audit ${event.type}`);
  }

  @on('invoice.*')
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called through its decorator's registration
  #everyInvoice(event: EventFor<Events, 'invoice.*'>): void {
    this.seen.push(`${this.#prefix} private ${event.type}`);
  }

  notAHandler(): void {}
}

describe('@handles decorators', () => {
  it('register(instance) wires every decorated method, bound to its instance, private ones too', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    const a = new BillingHandlers('a');
    const b = new BillingHandlers('b');
    webhooks.register(a);
    expect((await webhooks.handle(await request(paid))).status).toBe(200);
    expect((await webhooks.handle(await request(voided))).status).toBe(200);
    expect(a.seen).toEqual([
      'a paid in_42',
      'a audit invoice.paid',
      'a private invoice.paid',
      'a audit invoice.voided',
      'a private invoice.voided',
    ]);
    expect(b.seen).toEqual([]);
  });

  it('registering the same instance twice runs each handler once', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    const handlers = new BillingHandlers('x');
    webhooks.register(handlers).register(handlers);
    await webhooks.handle(await request(paid));
    expect(handlers.seen).toEqual(['x paid in_42', 'x audit invoice.paid', 'x private invoice.paid']);
  });

  it('static methods register through the class; the untyped handles takes any name', async () => {
    // biome-ignore lint/complexity/noStaticOnlyClass: the point of the test is a static handler
    class Audit {
      static readonly seen: string[] = [];
      @handles('*')
      static all(event: WebhookEvent): void {
        Audit.seen.push(event.type);
      }
    }
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    webhooks.register(Audit);
    await webhooks.handle(await request({ type: 'anything.at_all' }));
    expect(Audit.seen).toEqual(['anything.at_all']);
  });

  it('register refuses an object with no decorated method, so a forgotten decorator is not silent', () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    expect(() => webhooks.register({ invoice_paid: () => {} })).toThrow(/no @handles methods/);
    expect(() => handles([] as string[])).toThrow(/one or more/);
  });

  it('types: the pattern must be an event of the map, and the method must take its event', () => {
    class Wrong {
      // @ts-expect-error 'invoice.refunded' is not an event of the map
      @on('invoice.refunded')
      a(_event: WebhookEvent): void {}

      // @ts-expect-error the method takes invoice.voided events but is registered for invoice.paid
      @on('invoice.paid')
      b(_event: EventFor<Events, 'invoice.voided'>): void {}
    }
    expect(Wrong).toBeDefined();
  });
});

describe('registerModule: functions named after their events', () => {
  it('invoice_paid handles invoice.paid; dots, slashes and dashes all read as _; constants are left alone', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    webhooks.registerModule(billing);
    await webhooks.handle(await request(paid));
    await webhooks.handle(await request({ type: 'customer.subscription.trial_will_end', data: { days: 3 } }));
    expect(billing.seen).toEqual(['paid in_42', 'trial ends in 3']);
    // An event with no function of its name is unhandled, not an error.
    expect(JSON.parse((await webhooks.handle(await request(voided))).body)).toEqual({ status: 'unhandled' });
    expect(handlerName('orders/create')).toBe('orders_create');
    expect(handlerName('user-signup.done')).toBe('user_signup_done');
  });

  it('a plain object works too, GitHub names included (issues.opened, also routed as issues)', async () => {
    const webhooks = new Webhooks({ scheme: 'github', secret: 'gh-secret' });
    const seen: string[] = [];
    webhooks.registerModule({
      issues_opened: (event: WebhookEvent) => seen.push(`opened ${event.id}`),
      issues: (event: WebhookEvent) => seen.push(`any issue event ${event.type}`),
    });
    const { github } = await import('@hookline/signatures');
    const body = JSON.stringify({ action: 'opened', issue: { number: 1 } });
    const headers = await github.sign({ body, secret: 'gh-secret' });
    await webhooks.handle({
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': 'd1',
      },
      remoteAddress: '127.0.0.1',
      body: new TextEncoder().encode(body),
    });
    expect(seen).toEqual(['opened d1', 'any issue event issues.opened']);
  });

  it('types: a typed map refuses a misspelt name or a handler of the wrong event', () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    // @ts-expect-error invoice_payed spells no event of the map
    webhooks.registerModule({ invoice_payed: (_event: WebhookEvent) => {} });
    webhooks.registerModule({
      // @ts-expect-error invoice_paid receives invoice.paid events, not invoice.voided ones
      invoice_paid: (_event: EventFor<Events, 'invoice.voided'>) => {},
    });
    expect(() => webhooks.registerModule({} as never)).toThrow(/no functions/);
  });
});
