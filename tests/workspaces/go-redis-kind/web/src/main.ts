export const title = "Links";
