// Bench-only secrets, shared by the load generator and the servers.
export const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const GITHUB_SECRET = 'bench-github-secret';
