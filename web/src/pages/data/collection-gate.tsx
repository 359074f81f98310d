// The screens about one collection (schema, records, import) read it first: until it arrives they
// show their heading with the loading state or the API's refusal, then the screen itself.
import type { ReactNode } from 'react'
import type { Loaded } from '../../api/use-api.ts'
import { useApi } from '../../api/use-api.ts'
import { useTitle } from '../../components/shell.tsx'
import { ErrorMessage, Loading } from '../../components/ui.tsx'
import { DataNav } from './data-nav.tsx'
import { type Collection, collectionPath } from './types.ts'

interface CollectionGateProps {
  collectionId: string
  /** The heading while the collection loads (or could not be read). */
  heading: string
  /** The page title, before (null) and after the collection arrives. */
  title(collection: Collection | null): string
  /** The screen, with the read (its error and reload stay meaningful after a change). */
  children(collection: Collection, loaded: Loaded<Collection>): ReactNode
}

export function CollectionGate({ collectionId, heading, title, children }: CollectionGateProps) {
  const loaded = useApi<Collection>(collectionPath(collectionId))
  const collection = loaded.data
  useTitle(title(collection))
  if (!collection) {
    return (
      <>
        <h1>{heading}</h1>
        <DataNav />
        <ErrorMessage error={loaded.error} />
        {loaded.error ? null : <Loading what="Loading the collection" />}
      </>
    )
  }
  return children(collection, loaded)
}
