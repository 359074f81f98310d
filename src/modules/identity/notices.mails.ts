// Security notices to a user about their own account (IAM-3, IAM-4, IAM-6). Plain text only, like
// the reset mails: nothing an organisation name could inject, links shown as they will open.
import type { NewMail } from '../mail/mail.service.ts'
import { summarizeUserAgent } from './user-agent.ts'

function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60))
  return m === 1 ? '1 minute' : `${m} minutes`
}

/** IAM-3: the account (or one of its devices) was locked after consecutive failures. */
export function lockoutMail(
  to: string,
  organisation: string,
  lockedSeconds: number,
  ip: string,
  failures: number,
): NewMail {
  return {
    to,
    template: 'account_locked',
    subject: 'Sign-ins to your Rampart account were paused',
    text: [
      `After ${failures} failed sign-in attempts, the last from the address ${ip}, sign-ins to`,
      `your account at ${organisation} are paused for ${minutes(lockedSeconds)}.`,
      '',
      'Browsers you signed in with before keep working: the pause applies to unknown ones.',
      'If these attempts were not yours, someone may be guessing your password: choose a',
      'new, unique one, and turn on a second factor if you have not.',
    ].join('\n'),
  }
}

/** IAM-6: a sign-in from a browser this account had not used before. */
export function newDeviceMail(
  to: string,
  organisation: string,
  at: Date,
  ip: string,
  userAgent: string | undefined,
): NewMail {
  return {
    to,
    template: 'new_device_sign_in',
    subject: 'New sign-in to your Rampart account',
    text: [
      `Your account at ${organisation} was signed in to from a new device:`,
      '',
      `  when:    ${at.toISOString()}`,
      `  address: ${ip}`,
      `  device:  ${summarizeUserAgent(userAgent)}`,
      '',
      'If this was you, there is nothing to do. If not, change your password now and sign',
      'out the sessions you do not recognise under My account > Devices.',
    ].join('\n'),
  }
}

/** IAM-4: an administrator removed the user's second factors. */
export function mfaResetMail(to: string, organisation: string, at: Date): NewMail {
  return {
    to,
    template: 'mfa_reset',
    subject: 'Your Rampart second factors were reset',
    text: [
      `An administrator of ${organisation} removed the second factors of your account on`,
      `${at.toISOString()}, and every session of the account was signed out.`,
      '',
      'Sign in again and set up a new authenticator or passkey. If you did not ask for this,',
      "contact your organisation's administrators.",
    ].join('\n'),
  }
}

/** IAM-1: proves that the address belongs to the user; the token travels in the fragment. */
export function verifyEmailMail(
  to: string,
  organisation: string,
  link: string,
  ttlSeconds: number,
  change: boolean,
): NewMail {
  return {
    to,
    template: change ? 'email_change_verify' : 'email_verify',
    subject: 'Confirm your e-mail address for Rampart',
    text: [
      change
        ? `Someone, hopefully you, asked to use this address for their account at ${organisation}.`
        : `Please confirm that this address belongs to your account at ${organisation}.`,
      '',
      `Open this link within ${minutes(ttlSeconds)} to confirm:`,
      '',
      link,
      '',
      'The link works once. If you did not ask for this, ignore this e-mail.',
    ].join('\n'),
  }
}

/** IAM-6: tells the old address that the account's address is changing or changed. */
export function emailChangeNoticeMail(
  to: string,
  organisation: string,
  at: Date,
  done: boolean,
): NewMail {
  return {
    to,
    template: done ? 'email_changed' : 'email_change_requested',
    subject: done
      ? 'The e-mail address of your Rampart account was changed'
      : 'A change of your Rampart e-mail address was requested',
    text: [
      done
        ? `On ${at.toISOString()} the e-mail address of your account at ${organisation} was changed`
        : `On ${at.toISOString()} a change of the e-mail address of your account at ${organisation}`,
      done
        ? 'to a new address, which was confirmed. This address no longer signs in.'
        : 'was requested. It takes effect only once the new address is confirmed.',
      '',
      "If this was not you, change your password and tell your organisation's administrators.",
    ].join('\n'),
  }
}

/** The console page that takes an e-mail verification token, in the fragment. */
export function verifyEmailLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/verify-email#token=${token}`
}
