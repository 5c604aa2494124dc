import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'tenancy:public';

/**
 * Exempts a route (or every route of a controller) from bearer authentication, which every other route needs.
 * A public route that reaches tenant data must authenticate its caller in its own way (the Vapi webhook's secret).
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
