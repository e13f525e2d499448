import { initTRPC, TRPCError } from '@trpc/server';
import type { Role } from '@port-yard/shared';
import { isPortYardError, type ErrorCode } from '@port-yard/shared';
import { hasRole } from '../auth/identity.ts';
import type { ApiContext } from './api-context.ts';

/** Port-Yard's closed set of error codes, mapped to tRPC's only here, at the API edge. */
const trpcCodes: Record<ErrorCode, TRPCError['code']> = {
  CONFIG_INVALID: 'BAD_REQUEST',
  INVALID_INPUT: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  CONNECTION_FAILED: 'INTERNAL_SERVER_ERROR',
  AUTH_FAILED: 'UNAUTHORIZED',
  TOOL_MISSING: 'INTERNAL_SERVER_ERROR',
  VERSION_MISMATCH: 'PRECONDITION_FAILED',
  DUMP_FAILED: 'INTERNAL_SERVER_ERROR',
  COMPRESS_FAILED: 'INTERNAL_SERVER_ERROR',
  ENCRYPT_FAILED: 'INTERNAL_SERVER_ERROR',
  STORAGE_FAILED: 'INTERNAL_SERVER_ERROR',
  INTEGRITY_FAILED: 'INTERNAL_SERVER_ERROR',
  RESTORE_FAILED: 'INTERNAL_SERVER_ERROR',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        portYardCode: isPortYardError(cause) ? cause.code : undefined,
        stack: undefined,
      },
    };
  },
});

/** Turns a PortYardError thrown by a service into the matching tRPC error (message kept). */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isPortYardError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: trpcCodes[cause.code], message: cause.message, cause });
  }
  return result;
});

const requireRole = (role: Role) =>
  t.middleware(({ ctx, next }) => {
    if (!ctx.identity) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
    if (!hasRole(ctx.identity, role)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `needs the ${role} role (you are ${ctx.identity.role})`,
      });
    }
    return next({ ctx: { ...ctx, identity: ctx.identity } });
  });

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
export const viewerProcedure = publicProcedure.use(requireRole('viewer'));
export const operatorProcedure = publicProcedure.use(requireRole('operator'));
