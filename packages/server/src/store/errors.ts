// Store errors the API maps to HTTP answers.

export class DuplicateEventIdError extends Error {
  readonly code = 'HOOKLINE_DUPLICATE_EVENT_ID';
  constructor(readonly eventId: string) {
    super(`an event with eventId ${JSON.stringify(eventId)} was already accepted for this application`);
  }
}

export class DuplicateUidError extends Error {
  readonly code = 'HOOKLINE_DUPLICATE_UID';
  constructor(readonly uid: string) {
    super(`uid ${JSON.stringify(uid)} is already taken`);
  }
}

export class DuplicateNameError extends Error {
  readonly code = 'HOOKLINE_DUPLICATE_NAME';
  constructor(readonly taken: string) {
    super(`${JSON.stringify(taken)} already exists`);
  }
}
