import { Migration } from '@mikro-orm/migrations';

/**
 * A number's kind: `purchased` (bought on our Twilio account, the only kind we may release at Twilio),
 * `imported-twilio` (in the customer's own Twilio account) or `imported-sip` (another carrier, through the customer's
 * SIP trunk). And what an import's flow needs until the number is live: the customer's Twilio account SID, its auth
 * token sealed (AES-256-GCM, wiped once the number is active; see README, "Bring your own number"), or the Vapi
 * `byo-sip-trunk` credential. The table's row-level security and grants are unchanged.
 */
export class Migration20261202120000NumberKindAndImports extends Migration {
  override name = 'Migration20261202120000NumberKindAndImports';

  override up(): void {
    this.addSql(`
      alter table phone_number
        add column kind varchar(16) not null default 'purchased'
          constraint phone_number_kind_check check (kind in ('purchased', 'imported-twilio', 'imported-sip')),
        add column customer_twilio_account_sid varchar(34),
        add column sealed_twilio_auth_token text,
        add column sip_credential_id varchar(64);
    `);
  }

  override down(): void {
    this.addSql(`
      alter table phone_number
        drop column kind,
        drop column customer_twilio_account_sid,
        drop column sealed_twilio_auth_token,
        drop column sip_credential_id;
    `);
  }
}
