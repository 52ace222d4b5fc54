// Types of the generated validator (validate-manifest.cjs).
import type { ErrorObject } from 'ajv'

declare const validate: {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}
export = validate
