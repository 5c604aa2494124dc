export const OUTBOX_CONFIG = Symbol('OUTBOX_CONFIG');
