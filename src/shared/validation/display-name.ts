/** A name people read: not blank, no control characters (PostgreSQL refuses NUL in text). */
export const DISPLAY_NAME = /^(?=.*\S)[^\p{Cc}]+$/u;
export const DISPLAY_NAME_MESSAGE = 'name must not be blank or contain control characters';
