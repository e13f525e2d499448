import agentPackage from '../package.json' with { type: 'json' };

/** The agent's version, recorded in every manifest. */
export const agentVersion: string = agentPackage.version;
