export { NumbersModule } from './numbers.module.js';
