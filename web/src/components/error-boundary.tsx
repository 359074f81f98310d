// A screen that throws while rendering, or a script chunk that no longer exists (the console was
// rebuilt while this tab stayed open: only the current build's files are served), shows a
// message with a reload instead of unmounting the whole console into a blank page.
import { Component, type ReactNode } from 'react'

interface State {
  failed: boolean
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { failed: false }

  static getDerivedStateFromError(): State {
    return { failed: true }
  }

  override render() {
    if (!this.state.failed) return this.props.children
    return (
      <div className="notice error" role="alert">
        <p>
          This screen could not be shown. The console may have been updated since this page was
          opened.
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    )
  }
}
