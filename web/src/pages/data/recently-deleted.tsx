// DATA-4: deleted collections and records, newest first, with when each is purged for good, and
// restore (data.manage). Restoring is not destructive, so it asks for no confirmation.
import { useState } from 'react'
import { Link } from 'wouter'
import { api } from '../../api/client.ts'
import { usePaged } from '../../api/use-paged.ts'
import { PagedList } from '../../components/paged-list.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import { formatDate, Success, useAction } from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import { DataNav } from './data-nav.tsx'
import { collectionPath, type DeletedItem } from './types.ts'

export function RecentlyDeleted() {
  useTitle('Recently deleted')
  const can = useCan()
  return (
    <>
      <h1>Recently deleted</h1>
      <DataNav />
      {can('data.manage') ? (
        <DeletedList />
      ) : (
        <p className="notice warning">Only administrators can see and restore deleted data.</p>
      )}
    </>
  )
}

function DeletedList() {
  const deleted = usePaged<DeletedItem>('/api/v1/recently-deleted', 'items')
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  const restore = (item: DeletedItem) =>
    run(async () => {
      setNotice(null)
      if (item.type === 'collection') {
        await api('POST', `${collectionPath(item.collectionId)}/restore`)
        setNotice(`The collection ${item.collectionName} was restored with its records.`)
      } else {
        await api(
          'POST',
          `${collectionPath(item.collectionId)}/records/${encodeURIComponent(item.id)}/restore`,
        )
        setNotice(`A record of ${item.collectionName} was restored.`)
      }
      deleted.reload()
    })
  return (
    <section className="panel" aria-labelledby="deleted-heading">
      <h2 id="deleted-heading">Deleted collections and records</h2>
      <p className="hint">
        Deleted data is hidden everywhere and can be restored until its purge time; after that it is
        gone for good.
      </p>
      {notice ? <Success>{notice}</Success> : null}
      <PagedList
        list={deleted}
        error={error}
        empty="Nothing was deleted recently."
        moreLabel="Load more"
      >
        {(items) => (
          <Table caption="Recently deleted">
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Collection</th>
                <th scope="col">Deleted</th>
                <th scope="col">Purged after</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={`${item.type}-${item.id}`}>
                  <td>{item.type === 'collection' ? 'Collection' : 'Record'}</td>
                  <td>
                    {item.collectionDeleted ? (
                      item.collectionName
                    ) : (
                      <Link href={`/collections/${item.collectionId}/records`}>
                        {item.collectionName}
                      </Link>
                    )}
                    {item.type === 'record' && item.collectionDeleted ? (
                      <>
                        <br />
                        <small className="hint">
                          Its collection is deleted: restore that first.
                        </small>
                      </>
                    ) : null}
                  </td>
                  <td>{formatDate(item.deletedAt)}</td>
                  <td>{formatDate(item.purgeAfter)}</td>
                  <td>
                    <button
                      type="button"
                      disabled={busy || (item.type === 'record' && item.collectionDeleted)}
                      onClick={() => void restore(item)}
                    >
                      Restore
                      <span className="visually-hidden">
                        {' '}
                        {item.type === 'collection' ? 'collection' : 'record of'}{' '}
                        {item.collectionName}, deleted {formatDate(item.deletedAt)}
                      </span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </PagedList>
    </section>
  )
}
