/** The application role tests run as; the default one, so CLI and server tests share it. */
export const TEST_APP_ROLE = 'rampart_app'
