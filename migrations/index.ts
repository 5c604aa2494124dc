import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124100000CreateTenant } from './Migration20261124100000CreateTenant.js';
import { Migration20261124110000Tenancy } from './Migration20261124110000Tenancy.js';
import { Migration20261124120000CreateOutbox } from './Migration20261124120000CreateOutbox.js';
import { Migration20261124120100CreateIdempotencyKey } from './Migration20261124120100CreateIdempotencyKey.js';
import { Migration20261124130000CreatePhoneNumber } from './Migration20261124130000CreatePhoneNumber.js';
import { Migration20261201110000CreateTenantRateEvent } from './Migration20261201110000CreateTenantRateEvent.js';
import { Migration20261201120000CreateBilling } from './Migration20261201120000CreateBilling.js';
import { Migration20261201120100CreateAnalytics } from './Migration20261201120100CreateAnalytics.js';
import { Migration20261201120200ResolveVapiNumberNamesTheNumber } from './Migration20261201120200ResolveVapiNumberNamesTheNumber.js';
import { Migration20261201130000RowLevelSecurityEverywhere } from './Migration20261201130000RowLevelSecurityEverywhere.js';
import { Migration20261201130100CreateVapiWebhookMessage } from './Migration20261201130100CreateVapiWebhookMessage.js';
import { Migration20261201140000InstallationAndHeldNumbers } from './Migration20261201140000InstallationAndHeldNumbers.js';
import { Migration20261201150000PurchaseClaimsAndRefusals } from './Migration20261201150000PurchaseClaimsAndRefusals.js';
import { Migration20261202100000NumberChangedNotifications } from './Migration20261202100000NumberChangedNotifications.js';
import { Migration20261202100100DeliveryLeases } from './Migration20261202100100DeliveryLeases.js';
import { Migration20261202120000NumberKindAndImports } from './Migration20261202120000NumberKindAndImports.js';
import { Migration20261202110000ScheduledDeliveriesAreNoBacklog } from './Migration20261202110000ScheduledDeliveriesAreNoBacklog.js';
import { Migration20261202110100NumberLifecycle } from './Migration20261202110100NumberLifecycle.js';
import { Migration20261202110200AnalyticsReleases } from './Migration20261202110200AnalyticsReleases.js';
import { Migration20261202130000NumberReconciliation } from './Migration20261202130000NumberReconciliation.js';
import { Migration20261202140000ProjectNumbersInListOrder } from './Migration20261202140000ProjectNumbersInListOrder.js';
import { Migration20261203300000ClaimedAtWriteNotifyNoOne } from './Migration20261203300000ClaimedAtWriteNotifyNoOne.js';
import { Migration20261204010000OutboxSettleDelivery } from './Migration20261204010000OutboxSettleDelivery.js';
import { Migration20261204100000PurchaseReservationInOneStatement } from './Migration20261204100000PurchaseReservationInOneStatement.js';

/** Every migration, in order. A new migration is added here as well as to this folder. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124100000CreateTenant', class: Migration20261124100000CreateTenant },
  { name: 'Migration20261124110000Tenancy', class: Migration20261124110000Tenancy },
  { name: 'Migration20261124120000CreateOutbox', class: Migration20261124120000CreateOutbox },
  { name: 'Migration20261124120100CreateIdempotencyKey', class: Migration20261124120100CreateIdempotencyKey },
  { name: 'Migration20261124130000CreatePhoneNumber', class: Migration20261124130000CreatePhoneNumber },
  {
    name: 'Migration20261201110000CreateTenantRateEvent',
    class: Migration20261201110000CreateTenantRateEvent,
  },
  { name: 'Migration20261201120000CreateBilling', class: Migration20261201120000CreateBilling },
  { name: 'Migration20261201120100CreateAnalytics', class: Migration20261201120100CreateAnalytics },
  {
    name: 'Migration20261201120200ResolveVapiNumberNamesTheNumber',
    class: Migration20261201120200ResolveVapiNumberNamesTheNumber,
  },
  {
    name: 'Migration20261201130000RowLevelSecurityEverywhere',
    class: Migration20261201130000RowLevelSecurityEverywhere,
  },
  {
    name: 'Migration20261201130100CreateVapiWebhookMessage',
    class: Migration20261201130100CreateVapiWebhookMessage,
  },
  {
    name: 'Migration20261201140000InstallationAndHeldNumbers',
    class: Migration20261201140000InstallationAndHeldNumbers,
  },
  {
    name: 'Migration20261201150000PurchaseClaimsAndRefusals',
    class: Migration20261201150000PurchaseClaimsAndRefusals,
  },
  {
    name: 'Migration20261202100000NumberChangedNotifications',
    class: Migration20261202100000NumberChangedNotifications,
  },
  { name: 'Migration20261202100100DeliveryLeases', class: Migration20261202100100DeliveryLeases },
  {
    name: 'Migration20261202110000ScheduledDeliveriesAreNoBacklog',
    class: Migration20261202110000ScheduledDeliveriesAreNoBacklog,
  },
  { name: 'Migration20261202110100NumberLifecycle', class: Migration20261202110100NumberLifecycle },
  { name: 'Migration20261202110200AnalyticsReleases', class: Migration20261202110200AnalyticsReleases },
  {
    name: 'Migration20261202120000NumberKindAndImports',
    class: Migration20261202120000NumberKindAndImports,
  },
  {
    name: 'Migration20261202130000NumberReconciliation',
    class: Migration20261202130000NumberReconciliation,
  },
  {
    name: 'Migration20261202140000ProjectNumbersInListOrder',
    class: Migration20261202140000ProjectNumbersInListOrder,
  },
  {
    name: 'Migration20261203300000ClaimedAtWriteNotifyNoOne',
    class: Migration20261203300000ClaimedAtWriteNotifyNoOne,
  },
  {
    name: 'Migration20261204010000OutboxSettleDelivery',
    class: Migration20261204010000OutboxSettleDelivery,
  },
  {
    name: 'Migration20261204100000PurchaseReservationInOneStatement',
    class: Migration20261204100000PurchaseReservationInOneStatement,
  },
];
