export { TelephonyModule } from './telephony.module.js';
export {
  TelephonyPort,
  type AddressRequirement,
  type AvailableNumber,
  type NumberCapabilities,
  type NumberChanges,
  type NumberSearch,
  type OwnedNumber,
  type PurchaseRequest,
  type TwilioAccountCredentials,
} from './telephony.port.js';
export {
  AddressRequiredError,
  InvalidAreaCodeError,
  InvalidPhoneNumberError,
  isTwilioAuthenticationFailure,
  NoNumbersAvailableError,
  NumberUnavailableError,
  OwnedNumberNotFoundError,
} from './telephony.errors.js';
