import { initTRPC, TRPCError } from '@trpc/server';
import type { Role } from '@port-yard/shared';
import { isPortYardError, type ErrorCode } from '@port-yard/shared';
import { hasRole } from '../auth/identity.ts';
import { isConfigError } from '../config/config-error.ts';
import { formatConfigErrors } from '../config/format-config-errors.ts';
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

/** A field of the input and what is wrong with it. */
export interface InputIssue {
  readonly path: string;
  readonly message: string;
}

/** The issues of an input that failed its schema (a ZodError), else undefined. */
function inputIssues(cause: unknown): InputIssue[] | undefined {
  if (!(cause instanceof Error) || cause.name !== 'ZodError') return undefined;
  const issues = (cause as Error & { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return undefined;
  return issues.map((issue: { path?: PropertyKey[]; message?: string }) => ({
    path: (issue.path ?? []).map(String).join('.') || '(input)',
    message: issue.message ?? 'is not valid',
  }));
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    // Bad input: "limit: Too big: expected number to be <=500", not the schema's JSON dump.
    const issues = error.code === 'BAD_REQUEST' ? inputIssues(cause) : undefined;
    return {
      ...shape,
      message: issues ? issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ') : shape.message,
      data: {
        ...shape.data,
        portYardCode: isPortYardError(cause) ? cause.code : issues ? 'INVALID_INPUT' : undefined,
        issues,
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
    // A config file: every problem, one line each with its position, as the CLI prints them.
    const message = isConfigError(cause) ? formatConfigErrors(cause) : cause.message;
    throw new TRPCError({ code: trpcCodes[cause.code], message, cause });
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
