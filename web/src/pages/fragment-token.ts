// Mailed links carry their token in the fragment (#token=...), which browsers never send to a
// server. It is read once and wiped from the address bar, so it stays out of history and bookmarks.
import { useState } from 'react'

export function useFragmentToken(): string | null {
  const [token] = useState(() => {
    const value = new URLSearchParams(window.location.hash.slice(1)).get('token')
    if (value) {
      window.history.replaceState(window.history.state, '', window.location.pathname)
    }
    return value
  })
  return token
}
