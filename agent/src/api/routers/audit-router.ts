import { auditListInput } from '@port-yard/shared';
import { operatorProcedure, router } from '../trpc.ts';

export const auditRouter = router({
  list: operatorProcedure.input(auditListInput).query(({ ctx, input }) => ctx.services.audit.list(input)),
});
