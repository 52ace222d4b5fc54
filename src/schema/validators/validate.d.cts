// The type of what each generated validator here (<kind>.cjs) exports: its kind's ajv validate function.
import type { ErrorObject } from 'ajv'

export interface Validate {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}
