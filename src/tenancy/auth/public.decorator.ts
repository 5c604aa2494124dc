import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'tenancy:public';

/** Exempts an `/api` route from bearer authentication; it must authenticate its caller in its own way. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
