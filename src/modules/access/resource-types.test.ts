// AUTHZ-2: the resource type registry accepts only well-formed definitions, once per type, and
// resolves implications transitively, so an access check asks for exactly the grants that give
// a permission.
import { describe, expect, it } from 'vitest'
import { findResourceType, registerResourceType } from './resource-types.ts'

const exists = async () => true
let n = 0
const fresh = () => {
  n += 1
  return `registry_test_${'abcdefghij'[n % 10]}${'x'.repeat(n % 7)}`
}

describe('AUTHZ-2 resource type registry', () => {
  it('AUTHZ-2: resolves implications transitively and not backwards', () => {
    const type = registerResourceType({
      type: 'registry_chain',
      permissions: ['view', 'edit', 'admin', 'share'],
      implies: { admin: ['edit'], edit: ['view'] },
      exists,
    })
    expect([...type.grantedBy('view')].sort()).toEqual(['admin', 'edit', 'view'])
    expect([...type.grantedBy('edit')].sort()).toEqual(['admin', 'edit'])
    expect(type.grantedBy('admin')).toEqual(['admin'])
    expect(type.grantedBy('share')).toEqual(['share'])
    expect(type.grantedBy('delete')).toEqual([])
    expect(findResourceType('registry_chain')).toBe(type)
  })

  it('AUTHZ-2: without implications each permission stands alone; cycles end', () => {
    const plain = registerResourceType({
      type: 'registry_plain',
      permissions: ['view', 'edit'],
      exists,
    })
    expect(plain.grantedBy('view')).toEqual(['view'])
    const cycle = registerResourceType({
      type: 'registry_cycle',
      permissions: ['a', 'b'],
      implies: { a: ['b'], b: ['a'] },
      exists,
    })
    expect([...cycle.grantedBy('a')].sort()).toEqual(['a', 'b'])
  })

  it('AUTHZ-2: a type is registered once', () => {
    registerResourceType({ type: 'registry_once', permissions: ['view'], exists })
    expect(() =>
      registerResourceType({ type: 'registry_once', permissions: ['view'], exists }),
    ).toThrow(/already registered/)
  })

  it.each([
    ['a bad type name', { type: 'Collection', permissions: ['view'] }],
    ['an overlong type name', { type: 'x'.repeat(33), permissions: ['view'] }],
    ['a prototype type name', { type: '__proto__', permissions: ['view'] }],
    ['no permissions', { type: fresh(), permissions: [] }],
    ['a bad permission', { type: fresh(), permissions: ['View'] }],
    ['a repeated permission', { type: fresh(), permissions: ['view', 'view'] }],
    [
      'an implication from an unknown permission',
      { type: fresh(), permissions: ['view'], implies: { edit: ['view'] } },
    ],
    [
      'an implication to an unknown permission',
      { type: fresh(), permissions: ['edit'], implies: { edit: ['view'] } },
    ],
  ])('AUTHZ-2: refuses %s', (_label, definition) => {
    expect(() => registerResourceType({ ...definition, exists })).toThrow(TypeError)
    expect(findResourceType(definition.type)).toBeUndefined()
  })

  it('AUTHZ-2: unknown and inherited names are not types or permissions', () => {
    const type = registerResourceType({ type: 'registry_proto', permissions: ['view'], exists })
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(findResourceType(name)).toBeUndefined()
      expect(type.has(name)).toBe(false)
      expect(type.grantedBy(name)).toEqual([])
    }
  })
})
