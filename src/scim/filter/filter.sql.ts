import { describePath, isStringType, isUuid, normaliseOperand, Operand } from './filter.evaluate';
import {
  AttributePath,
  CompareOperator,
  Filter,
  MultiTarget,
  ScalarTarget,
  ScimFilterError,
  SqlResolver,
} from './filter.types';

// Compiles a parsed filter to a parameterised PostgreSQL boolean expression. It must select exactly
// the resources matchesFilter (filter.evaluate.ts) selects, so:
// - In positive position a comparison with NULL yields NULL, which WHERE treats as false, just as
//   the evaluator treats a missing value; plain comparisons are kept there so indexes stay usable.
//   Under `not`, NULL must become false first: NOT COALESCE((inner), false).
// - `ne` is true for a missing value: (sql IS NULL OR sql <> v).
// - Values only ever travel as parameters; the SQL text comes from the resolver (our own code).

/**
 * Returns an SQL boolean expression, fully parenthesised, for `filter`. Each value is appended to
 * `params` and referenced as `$<index>`, so callers may pre-fill params (`$1` = tenant id).
 * Throws ScimFilterError for unknown attributes and for operators or values the type does not allow.
 */
export function compileFilter(filter: Filter, resolve: SqlResolver, params: unknown[]): string {
  return new Compiler(params).compile(filter, { resolve, label: describePath });
}

/** Where paths are looked up: the resource, or one element of a value path (`emails[...]`). */
interface Scope {
  resolve: SqlResolver;
  /** How an attribute of this scope is named in error messages. */
  label: (path: AttributePath) => string;
}

type Resolved = { kind: 'scalar'; target: ScalarTarget } | { kind: 'multi'; target: MultiTarget; subAttr?: string };

const ORDER_SQL = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

class Compiler {
  private aliases = 0;

  constructor(private readonly params: unknown[]) {}

  compile(filter: Filter, scope: Scope): string {
    switch (filter.kind) {
      case 'logical': {
        const left = this.compile(filter.left, scope);
        const right = this.compile(filter.right, scope);
        return `(${left} ${filter.op === 'and' ? 'AND' : 'OR'} ${right})`;
      }
      case 'not':
        return `(NOT COALESCE(${this.compile(filter.filter, scope)}, false))`;
      case 'present':
        return this.present(filter.path, scope);
      case 'compare':
        return this.compare(filter, scope);
      case 'valuePath':
        return this.valuePath(filter.path, filter.filter, scope);
    }
  }

  // ---- filter kinds -------------------------------------------------------------------------

  private present(path: AttributePath, scope: Scope): string {
    const resolved = this.resolveTarget(path, scope);
    if (resolved.kind === 'scalar') return presentCondition(resolved.target);
    const alias = this.nextAlias();
    if (resolved.subAttr === undefined) return `(${anyOf(resolved.target, alias)})`;
    const sub = this.subTarget(resolved.target, resolved.subAttr, alias, path, scope);
    return `(${anyOf(resolved.target, alias, presentCondition(sub))})`;
  }

  private compare({ op, path, value }: Extract<Filter, { kind: 'compare' }>, scope: Scope): string {
    const resolved = this.resolveTarget(path, scope);
    if (resolved.kind === 'scalar') {
      return this.scalarCompare(op, resolved.target, normaliseOperand(op, value, resolved.target, scope.label(path)));
    }
    // Any element matching is enough (RFC 7644 §3.4.2.2); without a sub-attribute, its `value`.
    const alias = this.nextAlias();
    const sub = this.subTarget(resolved.target, resolved.subAttr ?? 'value', alias, path, scope);
    const operand = normaliseOperand(op, value, sub, scope.label(path));
    const prefilter = this.substringPrefilter(op, resolved.target, resolved.subAttr ?? 'value', sub, operand);
    const anyElement = `${prefilter}${anyOf(resolved.target, alias, this.scalarCompare(op, sub, operand))}`;
    // With no element at all the attribute is absent, and absent satisfies `ne "v"` and `eq null`
    // (as in the evaluator), which no element can witness; it never satisfies `ne null`.
    const trueWhenAbsent = operand.kind === 'null' ? op === 'eq' : op === 'ne';
    return trueWhenAbsent ? `(NOT ${anyOf(resolved.target, alias)} OR ${anyElement})` : `(${anyElement})`;
  }

  /**
   * `co`, `sw` and `ew` on an element's sub-attribute the resource indexes (`emails.value`): a
   * condition the trigram index answers, ANDed before the exact EXISTS (`'<sql> LIKE ... AND '`),
   * or '' when there is none. Every element matching `%v%`, `v%` or `%v` contains v, so the joined
   * values contain it too: the prefilter only narrows. A value shorter than three characters has
   * no trigram the index could use, and the prefilter would only add work to a scan: none then.
   */
  private substringPrefilter(
    op: CompareOperator,
    target: MultiTarget,
    subAttr: string,
    sub: ScalarTarget,
    operand: Operand,
  ): string {
    if (op !== 'co' && op !== 'sw' && op !== 'ew') return '';
    if (operand.kind !== 'string' || sub.caseExact || sub.uuid || [...operand.value].length < 3) return '';
    const indexed = target.substringIndex?.(subAttr.toLowerCase());
    if (indexed === undefined) return '';
    return `${this.like(indexed, `%${escapeLike(operand.value)}%`)} AND `;
  }

  /** `emails[type eq "work" and value co "@x"]`: one EXISTS, so every condition applies to the same element. */
  private valuePath(path: AttributePath, inner: Filter, scope: Scope): string {
    const target = path.subAttr === undefined ? scope.resolve(path) : undefined;
    if (target === undefined) throw unknownAttribute(scope.label(path));
    if (target.kind !== 'multi') {
      throw new ScimFilterError(
        `Invalid filter: '${scope.label(path)}' is not multi-valued, so it cannot take a value filter "[...]"`,
      );
    }
    const alias = this.nextAlias();
    const elementScope: Scope = {
      resolve: (sub) =>
        sub.uri === undefined && sub.subAttr === undefined ? target.sub(sub.name.toLowerCase(), alias) : undefined,
      label: (sub) => `${scope.label(path)}.${describePath(sub)}`,
    };
    return `(${anyOf(target, alias, this.compile(inner, elementScope))})`;
  }

  // ---- one comparison on a scalar -----------------------------------------------------------

  private scalarCompare(op: CompareOperator, target: ScalarTarget, operand: Operand): string {
    const { sql } = target;
    switch (operand.kind) {
      case 'null':
        return op === 'eq' ? `(${sql} IS NULL)` : `(${sql} IS NOT NULL)`;
      case 'string':
        if (target.uuid && (op === 'eq' || op === 'ne')) return this.uuidEquality(op, target, operand.value);
        // normaliseOperand already composed the value (NFC) when the target is stored composed.
        return this.stringCompare(op, target.uuid ? `(${sql})::text` : sql, target.caseExact, operand.value);
      case 'boolean':
        return this.typedCompare(op, sql, `${this.param(operand.value)}::boolean`);
      case 'number':
        return this.typedCompare(op, sql, `${this.param(operand.text)}::numeric`);
      case 'instant':
        return this.instantCompare(op, sql, `${this.param(operand.iso)}::timestamptz`);
    }
  }

  /**
   * Case-insensitive strings compare `lower(sql)` with a value lower-cased here, so an expression
   * index on `lower(column)` serves `eq`. Ordering uses COLLATE "C" (code points), as JavaScript does.
   */
  private stringCompare(op: CompareOperator, sql: string, caseExact: boolean, value: string): string {
    const expr = caseExact ? sql : `lower(${sql})`;
    switch (op) {
      case 'eq':
        return `(${expr} = ${this.param(value)})`;
      case 'ne':
        return `(${sql} IS NULL OR ${expr} <> ${this.param(value)})`;
      case 'co':
        return this.like(expr, `%${escapeLike(value)}%`);
      case 'sw':
        return this.like(expr, `${escapeLike(value)}%`);
      case 'ew':
        return this.like(expr, `%${escapeLike(value)}`);
      default:
        return `((${expr} COLLATE "C") ${ORDER_SQL[op]} ${this.param(value)})`;
    }
  }

  private like(expr: string, pattern: string): string {
    // standard_conforming_strings is on (the default since 9.1): '\' is one backslash.
    return `(${expr} LIKE ${this.param(pattern)} ESCAPE '\\')`;
  }

  /**
   * A uuid column compared as uuid keeps its index; a value that is not a UUID can equal nothing.
   * Its text is lower-case, so when the attribute is caseExact (`id`, RFC 7643 §3.1) a UUID written
   * in capitals equals nothing either, as in the evaluator and as `id sw "ABC"` already behaves.
   */
  private uuidEquality(op: 'eq' | 'ne', { sql, caseExact }: ScalarTarget, value: string): string {
    const comparable = isUuid(value) && (!caseExact || value === value.toLowerCase());
    if (!comparable) return op === 'eq' ? '(FALSE)' : '(TRUE)';
    const param = `${this.param(value)}::uuid`;
    return op === 'eq' ? `(${sql} = ${param})` : `(${sql} IS NULL OR ${sql} <> ${param})`;
  }

  /** boolean and number: normaliseOperand already refused `co`/`sw`/`ew` (and ordering of booleans). */
  private typedCompare(op: CompareOperator, sql: string, param: string): string {
    switch (op) {
      case 'eq':
        return `(${sql} = ${param})`;
      case 'ne':
        return `(${sql} IS NULL OR ${sql} <> ${param})`;
      case 'gt':
      case 'ge':
      case 'lt':
      case 'le':
        return `(${sql} ${ORDER_SQL[op]} ${param})`;
      default:
        throw new ScimFilterError(`Invalid filter: '${op}' needs a string attribute`);
    }
  }

  /**
   * An instant compares as the millisecond SCIM shows it with (`meta.created` is written with
   * toISOString) and the evaluator reads, although PostgreSQL keeps microseconds: `eq` is the
   * half-open millisecond [v, v + 1 ms). The column stays bare, so its index serves the range.
   */
  private instantCompare(op: CompareOperator, sql: string, at: string): string {
    const next = `${at} + interval '1 millisecond'`;
    switch (op) {
      case 'eq':
        return `(${sql} >= ${at} AND ${sql} < ${next})`;
      case 'ne':
        return `(${sql} IS NULL OR ${sql} < ${at} OR ${sql} >= ${next})`;
      case 'gt':
        return `(${sql} >= ${next})`;
      case 'ge':
        return `(${sql} >= ${at})`;
      case 'lt':
        return `(${sql} < ${at})`;
      case 'le':
        return `(${sql} < ${next})`;
      default:
        throw new ScimFilterError(`Invalid filter: '${op}' needs a string attribute`);
    }
  }

  // ---- targets, parameters, aliases ---------------------------------------------------------

  /**
   * The resolver may answer a full path itself (`name.givenName` -> `u.given_name`); otherwise a
   * sub-attribute is looked up on its multi-valued parent (`emails.type` -> sub('type')).
   */
  private resolveTarget(path: AttributePath, scope: Scope): Resolved {
    const direct = scope.resolve(path);
    if (direct?.kind === 'scalar') return { kind: 'scalar', target: direct };
    if (direct?.kind === 'multi') return { kind: 'multi', target: direct, subAttr: path.subAttr };
    if (path.subAttr !== undefined) {
      const parent = scope.resolve(path.uri === undefined ? { name: path.name } : { uri: path.uri, name: path.name });
      if (parent?.kind === 'multi') return { kind: 'multi', target: parent, subAttr: path.subAttr };
      if (parent?.kind === 'scalar') {
        throw new ScimFilterError(`Invalid filter: '${path.name}' has no sub-attribute '${path.subAttr}'`);
      }
    }
    throw unknownAttribute(scope.label(path));
  }

  private subTarget(target: MultiTarget, name: string, alias: string, path: AttributePath, scope: Scope): ScalarTarget {
    const sub = target.sub(name.toLowerCase(), alias);
    if (sub === undefined) throw unknownAttribute(scope.label({ ...path, subAttr: name }));
    return sub;
  }

  private param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  private nextAlias(): string {
    this.aliases += 1;
    return `e${this.aliases}`;
  }
}

/** `pr`: a string must also be non-empty (RFC 7644: "has a non-empty value"). */
function presentCondition(target: ScalarTarget): string {
  const { sql } = target;
  return isStringType(target.type) && !target.uuid ? `(${sql} IS NOT NULL AND ${sql} <> '')` : `(${sql} IS NOT NULL)`;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function unknownAttribute(label: string): ScimFilterError {
  return new ScimFilterError(
    `Attribute '${label}' cannot be used in a filter: it is unknown, or /Schemas marks it "filterable": false`,
  );
}

/** `EXISTS` over the elements (meeting `condition` when given), in the target's own form when it has one. */
function anyOf(target: MultiTarget, alias: string, condition?: string): string {
  const own = target.exists?.(alias, condition);
  if (own !== undefined) return own;
  return `EXISTS (SELECT 1 FROM ${target.from(alias)}${condition === undefined ? '' : ` WHERE ${condition}`})`;
}
