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
} from './telephony.port.js';
export {
  AddressRequiredError,
  InvalidAreaCodeError,
  InvalidPhoneNumberError,
  NoNumbersAvailableError,
  NumberUnavailableError,
  OwnedNumberNotFoundError,
} from './telephony.errors.js';
