// The fan-out rule (which endpoints a message goes to) as one table of cases. Both forms pass it: store/fan-out.ts
// (matchesEndpoint, used by the SQLite store) and the PostgreSQL publish statement's filter (postgres/messages.ts).

export interface FanOutCase {
  name: string;
  endpoint: { eventTypes: string[] | null; channels: string[] | null };
  message: { eventType: string; channels: string[] | null };
  matches: boolean;
}

const anyEndpoint = { eventTypes: null, channels: null };
const paid = { eventType: 'invoice.paid', channels: null };

export const FAN_OUT_CASES: readonly FanOutCase[] = [
  { name: 'no filter: every message', endpoint: anyEndpoint, message: paid, matches: true },
  {
    name: 'an empty event-type list: every message',
    endpoint: { eventTypes: [], channels: null },
    message: paid,
    matches: true,
  },
  {
    name: 'the event type listed',
    endpoint: { eventTypes: ['invoice.voided', 'invoice.paid'], channels: null },
    message: paid,
    matches: true,
  },
  {
    name: 'the event type not listed',
    endpoint: { eventTypes: ['invoice.voided'], channels: null },
    message: paid,
    matches: false,
  },
  {
    name: 'event types are whole names, not prefixes',
    endpoint: { eventTypes: ['invoice.paid'], channels: null },
    message: { eventType: 'invoice.paid.late', channels: null },
    matches: false,
  },
  {
    name: 'event types are case-sensitive',
    endpoint: { eventTypes: ['invoice.paid'], channels: null },
    message: { eventType: 'Invoice.paid', channels: null },
    matches: false,
  },
  {
    name: 'a channel filter and a message without channels',
    endpoint: { eventTypes: null, channels: ['eu'] },
    message: paid,
    matches: false,
  },
  {
    name: 'a channel filter and a message with one of its channels',
    endpoint: { eventTypes: null, channels: ['eu', 'us'] },
    message: { eventType: 'invoice.paid', channels: ['ap', 'us'] },
    matches: true,
  },
  {
    name: 'a channel filter and a message with none of its channels',
    endpoint: { eventTypes: null, channels: ['eu'] },
    message: { eventType: 'invoice.paid', channels: ['us'] },
    matches: false,
  },
  {
    name: 'no channel filter and a message with channels',
    endpoint: anyEndpoint,
    message: { eventType: 'invoice.paid', channels: ['us'] },
    matches: true,
  },
  {
    name: 'an empty channel list and a message with channels',
    endpoint: { eventTypes: null, channels: [] },
    message: { eventType: 'invoice.paid', channels: ['us'] },
    matches: true,
  },
  {
    name: 'both filters: the type matches but no channel does',
    endpoint: { eventTypes: ['invoice.paid'], channels: ['eu'] },
    message: { eventType: 'invoice.paid', channels: ['us'] },
    matches: false,
  },
  {
    name: 'both filters: type and a channel match',
    endpoint: { eventTypes: ['invoice.paid'], channels: ['eu'] },
    message: { eventType: 'invoice.paid', channels: ['eu'] },
    matches: true,
  },
];
