export { TenancyModule } from './tenancy.module.js';
export { Public } from '../shared/http/public.decorator.js';
export { developmentToken, developmentTokenNotice } from './auth/development-token.js';
export { TenantScope } from './tenant-scope/tenant-scope.js';
export { TenantOwned, TENANT_FILTER } from './tenant-scope/tenant-owned.js';
export { GetProjectQuery } from './projects/get-project/get-project.query.js';
export { ProjectFallbackChangedEvent } from './projects/events/project-fallback-changed.event.js';
export type { ProjectResponse } from './projects/project.response.js';
export {
  TenantQuotas,
  type PurchaseReservation,
  type RateLimitedAction,
  type ReservePurchaseOptions,
} from './quotas/tenant-quotas.js';
