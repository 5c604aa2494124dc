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
export * from './telephony.errors.js';
export { TwilioTelephonyAdapter } from './twilio/twilio-telephony.adapter.js';
