export { TelephonyModule } from './telephony.module.js';
